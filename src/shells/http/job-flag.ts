/**
 * A job's shared flag (JobTask.cancel, an Int32 in shared memory), claimed once by whichever side
 * comes first: the server's cancel (RUNNING -> CANCELLED) or the job about to store its result
 * (RUNNING -> COMMITTED). A job never stores after a cancel won, and a cancel after the job began
 * storing comes too late: the job ends 'done' with its result, never 'cancelled' with it stored.
 */
export const JOB_RUNNING = 0;
export const JOB_CANCELLED = 1;
export const JOB_COMMITTED = 2;

/** The progress note a job reports when it claims the flag to store its result */
export const STORING_NOTE = "storing the result";
