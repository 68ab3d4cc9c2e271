export { startJobQueue, jobKind, type JobQueue, type JobKind, type JobState } from './job-queue.js';
