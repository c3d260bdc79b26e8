// lz4js ships no types: the three functions read-table.ts uses
declare module "lz4js" {
  const lz4: {
    decompressBound(src: Uint8Array): number;
    decompress(src: Uint8Array, maxSize?: number): Uint8Array;
    compress(src: Uint8Array, maxSize?: number): Uint8Array;
  };
  export default lz4;
}
