#!/usr/bin/env node
// The tandem binary: a thin launcher over the compiled CLI (run `npm run build` first).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
