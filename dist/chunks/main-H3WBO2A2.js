function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{register}from"./chunk-S5MX6ZAU.js";import"./chunk-TO246NZ2.js";import"./chunk-PO5KFC4E.js";import"./chunk-M2QE45X6.js";import"./chunk-OM4MMLE2.js";export{register};
