function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{register}from"./chunk-J7IQNJH4.js";import"./chunk-D3X2RTS2.js";import"./chunk-E2TDTSYN.js";import"./chunk-RYDZSGT4.js";import"./chunk-M2QE45X6.js";import"./chunk-OM4MMLE2.js";export{register};
