// Copies the raw CSV named on the command line into the project: node get_data.mjs <source> <target>
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const [source, target] = process.argv.slice(2);
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
console.log(`copied ${source} to ${target}`);
