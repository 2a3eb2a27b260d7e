import{createRequire as __mlopsCreateRequire}from'node:module';const require=__mlopsCreateRequire(import.meta.url);
import{validateData}from"./chunk-OI6RIKXG.js";import"./chunk-VQQD6W6M.js";import"./chunk-JPVAG4FU.js";import"./chunk-SYVU37YA.js";export{validateData};
