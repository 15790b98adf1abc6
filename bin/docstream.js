#!/usr/bin/env node
// The command line is TypeScript, run through tsx like the rest of the project.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
