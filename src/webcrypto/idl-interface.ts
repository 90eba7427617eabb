// Gives a class the property shape of a WebIDL interface: operations and
// attributes on the prototype are enumerable, and Symbol.toStringTag names it.

export function defineInterface(cls: { prototype: object; name: string }): void {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
    Object.defineProperty(proto, key, { ...descriptor, enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, {
    value: cls.name, writable: false, enumerable: false, configurable: true,
  });
}
