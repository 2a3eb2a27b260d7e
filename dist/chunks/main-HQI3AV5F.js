function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{validateData}from"./chunk-5NI7MMYI.js";import"./chunk-TO246NZ2.js";import"./chunk-Q2FI7UCM.js";import"./chunk-PO5KFC4E.js";import"./chunk-M2QE45X6.js";import"./chunk-OM4MMLE2.js";export{validateData};
