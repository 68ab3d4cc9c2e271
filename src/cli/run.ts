import { main } from './main.js';

// The process entry of `khomoun` (see bin/khomoun.js); main() is kept importable for tests.
const code = await main(process.argv.slice(2));
process.exit(code);
