// NIST SP 800-90A known answers for DRBGs without prediction resistance and
// without reseeding (the CAVS drbgvectors_no_reseed files), as the Linux
// kernel carries them in crypto/testmgr.h (drbg_nopr_*_tv_template): each
// DRBG with and without a personalization string and additional input.
// testmgr.h stores EntropyInput||Nonce as one string; it is split here at
// the entropy length NIST's files give (the security strength: 32 bytes for
// SHA-256 and AES-256, 16 for AES-128; the nonce is half that).
// A vector is run as CAVS does: instantiate, generate with the first
// additional input (output discarded), generate with the second, compare.
export interface DrbgVector {
  name: string;
  entropyInput: string;
  nonce: string;
  personalizationString: string;
  additionalInput: [string, string];
  returnedBits: string;
}

export const DRBG_VECTORS: DrbgVector[] = [
  {
    name: 'drbg_nopr_hmac_sha256',
    entropyInput: 'ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488',
    nonce: '659ba96c601dc69fc902940805ec0ca8',
    personalizationString: '',
    additionalInput: ['', ''],
    returnedBits: 'e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc107694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8',
  },
  {
    name: 'drbg_nopr_hmac_sha256',
    entropyInput: 'f97a3cfd91faa046b9e61b9493d436c4931f604b22f1081521b3419151e8ff06',
    nonce: '11f3a7d43595357d58120bd1e2dd8aed',
    personalizationString: '',
    additionalInput: ['517289afe444a0fe5ed1a41dbbb5eb17150079bdd31e29cf2ff30034d8268e3b', '88028d29ef80b4e6f0fe12f91d7449fe75062682e89c571440c0c9b52c42a6e0'],
    returnedBits: 'c6871cff0824fe55ea7689a52229886730450e5d362da5bf590dcf9acd67fed4cb32107df5d03969a66b1f6494fdf5d63d5b4d0d34ea7399a07d0116126d0d518c7c55ba46e12f62efc8fe28a51c9d428e6d371d7397ab319fc73ded4722e5b4f30004032a6128df5e7497ecf82ca7b0a50e867ef6728a4f509a8c859087039c',
  },
  {
    name: 'drbg_nopr_hmac_sha256',
    entropyInput: '8df013b4d103523073917ddf6a869793059e9943fc8654549e7ab22f7c29f122',
    nonce: 'da2625af2ddd4abcce3cf4fa4659d84e',
    personalizationString: 'b571e66d7c338bc07b76ad3757bb2f9452bf7e07437ae8581ce7bc7c3ac651a9',
    additionalInput: ['', ''],
    returnedBits: 'b91cba4cc84fa25df8610b81b641402768a2097234932e37d590b1154cbd23f97452e310e291c45146147f0da2d81761fe90fba64f94419c0f662b28c1ed94da487bb7e73eec798fbcf981b791d1be4f177a8907aa3c401643a5b62b87b89d66b3a60e40d4a8e4e9d82af6d2700e6f535cdb51f75c321729103741030ccc3a56',
  },
  {
    name: 'drbg_nopr_hmac_sha256',
    entropyInput: 'c2a566a9a1817b15c5c3b778177ac87c24e797be0a845f11c2fe399dd37732f2',
    nonce: 'cb1894eb2b97b3c56e628329516f86ec',
    personalizationString: '13ce4d8dd2db9796f94156c8e8f0769b0aa1c82c1323b61536603bca37c9ee29',
    additionalInput: ['413dd83fe56835abd478cb9693d67635901c40239a266462d3133b83e49c820b', 'd5c4a71f9d6d95a1bedf0bd2247c277d1f84a4e57a4a8825b82a2d097de63ef1'],
    returnedBits: 'b3a3698d777699a0dd9fa3f0a9fa57832d3cefac5df24437c6d73a0fe41040f1729038aef1e926352ea59de120bfb7b073183a34106efed6278ff8ad844ba0448115dfddf3319a82de6bb11d80bd871a9acd35c73645e1270fb9fe4fa88ec0e465409ea0cba809fe2f45e04943a2e396bbb7dd2f4e0795303524cc9cc5ea54a1',
  },
  {
    name: 'drbg_nopr_sha256',
    entropyInput: 'a65ad0f345db4e0effe875c3a2e71f42c7129d620ff5c119a9ef55f05185e0fb',
    nonce: '8581f9317517276e06e9607ddbcbcc2e',
    personalizationString: '',
    additionalInput: ['', ''],
    returnedBits: 'd3e160c35b99f340b2628264d1751060e0045da383ff57a57d73a673d2b8d80daaf6a6c35a91bb4579d73fd0c8fed111b0391306828adfed528f018121b3febdc343e797b87dbb63db1333ded9d1ece177cfa6b71fe8ab1da46624ed6415e51ccde2c7ca86e283990eeaeb91120415528b2295910281b02dd431f4c9f70427df',
  },
  {
    name: 'drbg_nopr_sha256',
    entropyInput: '73d3fba3945f2b5fb98ff69c8a9317ae19c34cc3d6caa32d16fc42d22dd56f56',
    nonce: 'cc1d30ff9e063e09ce58e69a35b3a656',
    personalizationString: '',
    additionalInput: ['f4d5983da8fcfa37b7546773c7c3dd473471025dc1a0d310c18bbdf566346fdd', 'f79e6a560e73e9d97ad169e06f8c551c44d1ce6f28cca44da8c085d15a0c5940'],
    returnedBits: '717b93461a40aa35a4aac5e76d5b5b8aa0df397dae71585b3c7cb4f089fa4a8ca95c54c040dfbcce268134f8ba7d1ce8ad21e074cf4884301fa1d54f81422ff4db0b23f87327b81d42f84458d85b29270af86959b57844eb9ee0686f429ab05be04ecb6aaae2d2d533253ee06cc76a07a503839fe28bd11c70a8075997ebf6be',
  },
  {
    name: 'drbg_nopr_sha256',
    entropyInput: '2a85a98bd0da83d6adab9fbb543115951c4d499f6a15f6e415508806290ded8d',
    nonce: 'b96f96e1839ff788da84bf4428d91daa',
    personalizationString: 'a880ec98309815d2c6c468f13a1cbfce6a4014eb369953da576bcea41c663dbc',
    additionalInput: ['', ''],
    returnedBits: '2d55dec9ed0547073d04fc280f92f04dd80032470a1b1c4befd997a11767da266cfe76466fbc6d824e838a98666c01b6e664e008106fd35d90e70d72a6a7e3bb9811125623c26dd1c8a87a39f334e3b8f86600777dcf3c3efac90fafe024fae984f96a01f635db5cab2aef4eacab55b89bef9868af51d816a55eaef91ed2dbe6',
  },
  {
    name: 'drbg_nopr_sha256',
    entropyInput: '69ed82a9c57bbfe51d2fcb7ad3507d96b4b92b50775127743374baf130df8edf',
    nonce: '871d87bc96b2c3a7ed605e614e51291a',
    personalizationString: '74a6e008f927ee1d6e3c282087ddd7543147784be56da373a965b110c1dc777c',
    additionalInput: ['74d36ddae8d6865f6301fdf27d06296d94d166f0d272674e77c53d9e03e3a578', 'f6b63df07c2604c58bcd3e6a9f9c3a2edb4787e58e005e2b747fa6f680cd9b21'],
    returnedBits: 'a571243111fe13e1a82412fb37a127a5ab77a19fae8faf1393f7538591b61babd46beab6efda4c906eef5fdee1c71036d567bd14b689210cc9926564d0f323e07fd1e875c28506eacac0cb792d2982fcaa9ac6957edc8865baec0e1687eca39ed88c80ab3a64e0cb0e4598dd7c6c6c261113c8cea947a60657a266bb2d7ff3c1',
  },
  {
    name: 'drbg_nopr_ctr_aes128',
    entropyInput: '87e1c532997f57a35c286de864bff264',
    nonce: 'a39e98db6c10787f',
    personalizationString: '',
    additionalInput: ['', ''],
    returnedBits: '2c147e24119ad8d4b2ed61c153d050c924ff597515f1173a3df44b2c8428ef890eb9def3e47804b2fd9b357fe13f8a3e10c8670af9df2d6c96fbb2b8cb2dd6b0',
  },
  {
    name: 'drbg_nopr_ctr_aes128',
    entropyInput: '71bdce35427d20bf58cf1774ce72d833',
    nonce: '34502d8f5b14c4dd',
    personalizationString: '',
    additionalInput: ['66ef42d69a8c3d6d4a9e95a6914d8156', 'e31883d94b5ec4ccaa612fbb4a55d1c6'],
    returnedBits: '9733e82012e27ba1468ff234b3c9b66b20b24fee27d80b218cff63736929fbf385cd888e432c718ba255d20f1d7fe3e12aa3e92c2589c714529956ccc3dfb381',
  },
  {
    name: 'drbg_nopr_ctr_aes128',
    entropyInput: 'ca4b1efa75bd69363873b8f9db4d350e',
    nonce: '47bf6c3772fdf7a9',
    personalizationString: 'ebaa602c4dbe33ff1befbf0a0bc69754',
    additionalInput: ['', ''],
    returnedBits: '59c319791bb1f30ee934ae6e8b1fad1f74ca254568b87f7512f8f2ab4c23010305e170ee75d8cbeb234c7a236e1227db6f7aac3c44b7874b6556744534300c3d',
  },
  {
    name: 'drbg_nopr_ctr_aes128',
    entropyInput: 'c0701f9250758fcdf2be739880db66eb',
    nonce: '1468b4a5879c2da6',
    personalizationString: '8008aee8e96940c50873c79f8ecfe002',
    additionalInput: ['f901f8167a1dffde8e3c83e24485e7fe', '171c0938c2389f97876055b48216627f'],
    returnedBits: '97c0c0e5a0ccf24f3363488adb130a3589bf806562ee13957c33d37df407777a2b650b5f455c13f190777fc5043fcc1a38f8cd1bbbd557d14a4c2e8a2b491e5c',
  },
  {
    name: 'drbg_nopr_ctr_aes256',
    entropyInput: '36401940fa8b1fba91a1661f211d78a0b9389a74e5bccfece8d766af1a6d3b14',
    nonce: '496f25b0f1301b4f501be30380a137eb',
    personalizationString: '',
    additionalInput: ['', ''],
    returnedBits: '5862eb38bd558dd978a696e6df164782ddd887e7e9a6c9f3f1fbafb78941b535a64912dfd224c6dc7454e5250b3d97165e16260c2faf1cc7735cb75fb4f07e1d',
  },
];
