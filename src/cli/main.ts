#!/usr/bin/env node
// The afalg-webcrypto command. One subcommand for now: `doctor`, which checks
// what this kernel offers the library. Where the kernel has no AF_ALG, it
// re-runs itself inside the project's VM (scripts/vm/run), which boots a
// Debian kernel that has it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { afalgAbsence, renderText, runDoctor } from './doctor';

const USAGE = `usage: afalg-webcrypto doctor [--json] [--vm]
       afalg-webcrypto --help

doctor   checks AF_ALG, its four socket types, FIPS mode, the random source and,
         for every registered WebCrypto algorithm, the kernel driver serving it
         and a known-answer self-test. Exit 0: everything registered works;
         1: something is missing or a self-test failed; 2: the kernel has no AF_ALG.
--json   print the report as JSON instead of text
--vm     run inside the project's VM (scripts/vm/run); done automatically when
         this kernel has no AF_ALG
`;

/** Exit status for a command line we do not understand (sysexits EX_USAGE), distinct from 0/1/2. */
const EXIT_USAGE = 64;

/** Set for the run inside the VM, so that it never starts another VM. */
const IN_VM = 'AFALG_DOCTOR_IN_VM';

// dist/cli/main.js and src/cli/main.ts are both two levels below the package root.
const VM_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'vm', 'run');

/** Runs `doctor flags` inside the VM; returns its exit status. */
function doctorInVm(flags: string[], why: string): number {
  try {
    accessSync(VM_SCRIPT, constants.X_OK);
  } catch {
    console.error(`afalg-webcrypto: ${why}, and the VM script ${VM_SCRIPT} is not there to run it elsewhere`);
    return 2;
  }
  console.error(`afalg-webcrypto: ${why}; running the doctor inside the project's VM (${VM_SCRIPT}), ` +
    'which boots a Debian kernel under qemu and takes a while');
  // `env` carries the settings in, whichever variables the VM script forwards itself.
  const settings = [`${IN_VM}=1`];
  const random = process.env.AFALG_WEBCRYPTO_RANDOM;
  if (random !== undefined) settings.push(`AFALG_WEBCRYPTO_RANDOM=${random}`);
  const { status, error } = spawnSync(VM_SCRIPT,
    ['--', 'env', ...settings, process.execPath, __filename, 'doctor', ...flags], { stdio: 'inherit' });
  if (error) {
    console.error(`afalg-webcrypto: cannot run ${VM_SCRIPT}: ${error.message}`);
    return 2;
  }
  // 0, 1 and 2 are the doctor's; anything else is the VM failing (125: did not boot; 124: timed out).
  if (status === 0 || status === 1 || status === 2) return status;
  console.error(`afalg-webcrypto: the VM did not run the doctor (exit ${status ?? 'by signal'}); see its messages above`);
  return 2;
}

async function doctor(flags: string[]): Promise<number> {
  const json = flags.includes('--json');
  // AFALG_VM is set by the VM scripts themselves: never start a VM inside one.
  if (process.env[IN_VM] !== '1' && process.env.AFALG_VM !== '1') {
    if (flags.includes('--vm')) return doctorInVm(flags.filter((flag) => flag !== '--vm'), 'asked to use the VM');
    let absence;
    try {
      absence = afalgAbsence();
    } catch {
      // the addon did not load: the report below says so
    }
    if (absence) return doctorInVm(flags, 'this kernel has no AF_ALG sockets (EAFNOSUPPORT)');
  }
  const report = await runDoctor();
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
  return report.exitCode;
}

async function main(args: string[]): Promise<number> {
  const [command, ...flags] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const unknown = command === 'doctor' ? flags.filter((flag) => flag !== '--json' && flag !== '--vm') : [command];
  if (unknown.length > 0) {
    if (command !== undefined) process.stderr.write(`afalg-webcrypto: unknown argument: ${unknown.join(' ')}\n\n`);
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  return doctor(flags);
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error('afalg-webcrypto:', error);
  process.exitCode = 1;
});
