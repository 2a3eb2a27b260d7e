import{createRequire as __mlopsCreateRequire}from'node:module';const require=__mlopsCreateRequire(import.meta.url);
import{register}from"./chunk-CNQIJMNM.js";import"./chunk-VQQD6W6M.js";import"./chunk-JPVAG4FU.js";import"./chunk-SYVU37YA.js";export{register};
