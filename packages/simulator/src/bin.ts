#!/usr/bin/env node
/** `tplink-cloud-sim [options]`: the simulated cloud alone (see cli.ts). */
import { simulatorMain } from './cli.js';

process.exitCode = await simulatorMain(process.argv.slice(2));
