export { seedDemo, demoDirectory, type DemoSeedOptions } from './seed.js';
