package io.tinstream.streaming;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * Ends a test's job for good before the test's temporary directory is deleted: a cancel is only
 * acknowledged at once, and tasks still shutting down (an async checkpoint upload) would write into
 * a directory JUnit is deleting, failing a test whose checks all passed.
 */
final class JobEnd {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private JobEnd() {}

  /** Cancels {@code job} unless it has ended, then waits until it has. */
  static void cancelAndAwait(JobClient job) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    JobStatus status = job.getJobStatus().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!status.isGloballyTerminalState()) {
      job.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    while (!status.isGloballyTerminalState()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "job " + job.getJobID() + " still " + status + " after " + TIMEOUT);
      }
      Thread.sleep(50);
      status = job.getJobStatus().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
