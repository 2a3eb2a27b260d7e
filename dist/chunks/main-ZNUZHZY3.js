function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{register}from"./chunk-NFHW4F2W.js";import"./chunk-UFPEWSZE.js";import"./chunk-RYDZSGT4.js";import"./chunk-W2URLK2T.js";import"./chunk-M2QE45X6.js";import"./chunk-OM4MMLE2.js";export{register};
