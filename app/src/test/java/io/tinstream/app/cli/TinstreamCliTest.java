package io.tinstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad command lines end with a clear message and exit code 2, before anything starts. */
class TinstreamCliTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureStderr() {
    originalErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(originalErr);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void noCommandPrintsUsage() {
    assertThat(TinstreamCli.run()).isEqualTo(2);
    assertThat(stderr()).contains("Usage: tinstream").contains("demo");
  }

  @Test
  void unknownOptionIsRejected() {
    assertThat(TinstreamCli.run("demo", "--no-such-option")).isEqualTo(2);
    assertThat(stderr()).contains("Unknown option: '--no-such-option'");
  }

  @Test
  void missingMovieLensDirectoryIsRejected() {
    assertThat(TinstreamCli.run("demo", "--movielens", "/does/not/exist")).isEqualTo(2);
    assertThat(stderr()).contains("--movielens /does/not/exist: not a directory with ratings.csv");
  }

  @Test
  void invalidNumbersAreRejected() {
    assertThat(TinstreamCli.run("demo", "--parallelism", "0")).isEqualTo(2);
    assertThat(stderr()).contains("--parallelism must be > 0");
  }

  @Test
  void jobRejectsUnknownAndInvalidSettings() {
    assertThat(TinstreamCli.run("job", "-D", "tinstream.no.such=1")).isEqualTo(2);
    assertThat(stderr()).contains("unknown option 'tinstream.no.such'");
    assertThat(TinstreamCli.run("job", "-D", "tinstream.search.k=many")).isEqualTo(2);
    assertThat(stderr()).contains("invalid value 'many' for tinstream.search.k");
  }
}
