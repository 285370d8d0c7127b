// Reads a whole Zarr v3 array with zarrita (an independent implementation) and prints
// {shape, dtype, data} as JSON.  usage: node zarrita_read.mjs STORE_DIR /PATH/TO/ARRAY
import * as zarr from "zarrita";
import FileSystemStore from "@zarrita/storage/fs";

const [, , root, path] = process.argv;
const arr = await zarr.open.v3(zarr.root(new FileSystemStore(root)).resolve(path), { kind: "array" });
const chunk = await zarr.get(arr);
const data = Array.from(chunk.data, (x) => (typeof x === "bigint" ? Number(x) : x));
console.log(JSON.stringify({ shape: chunk.shape, dtype: arr.dtype, data }));
