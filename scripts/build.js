import { build } from './build-steps.js';

build();
