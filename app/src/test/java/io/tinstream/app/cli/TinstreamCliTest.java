package io.tinstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad command lines end with a clear message and exit code 2, before anything starts. */
class TinstreamCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
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

  @Test
  void benchHelpListsItsFiveSubcommands() {
    assertThat(TinstreamCli.run("bench", "--help")).isZero();
    assertThat(stdout())
        .contains("Usage: tinstream bench")
        .contains("ingest", "serving", "models", "dare-search", "lrea");
  }

  @Test
  void everyBenchTakesTheSharedOutputOptions() {
    for (String bench : List.of("ingest", "serving", "models", "dare-search", "lrea")) {
      out.reset();
      assertThat(TinstreamCli.run("bench", bench, "--help")).isZero();
      assertThat(stdout())
          .as(bench)
          .contains("Usage: tinstream bench " + bench)
          .contains("--out=DIR", "--doc=FILE", "--no-doc", "--json");
    }
    assertThat(TinstreamCli.run("bench", "lrea", "--help")).isZero();
    assertThat(stdout()).contains("--threads=<threads>");
  }

  @Test
  void benchWithoutSubcommandIsRejected() {
    assertThat(TinstreamCli.run("bench")).isEqualTo(2);
    assertThat(stderr()).contains("Missing required subcommand").contains("dare-search");
  }

  @Test
  void unknownBenchIsRejected() {
    assertThat(TinstreamCli.run("bench", "nope")).isEqualTo(2);
    assertThat(stderr()).contains("'nope'");
    err.reset();
    assertThat(TinstreamCli.run("bench-models")).isEqualTo(2);
    assertThat(stderr()).contains("'bench-models'");
  }

  @Test
  void benchOptionsAreCheckedBeforeAnythingRuns() {
    assertThat(TinstreamCli.run("bench", "models", "--no-such-option")).isEqualTo(2);
    assertThat(stderr()).contains("Unknown option: '--no-such-option'");
    assertThat(TinstreamCli.run("bench", "models", "--model", "nope")).isEqualTo(2);
    assertThat(stderr()).contains("unknown model 'nope'");
    assertThat(TinstreamCli.run("bench", "ingest", "--events", "0")).isEqualTo(2);
    assertThat(stderr()).contains("--events, --users and --parallelism must be > 0");
    assertThat(TinstreamCli.run("bench", "serving", "--lengths", "1000,0")).isEqualTo(2);
    assertThat(stderr()).contains("--lengths must be > 0");
    assertThat(TinstreamCli.run("bench", "dare-search", "--dims", "16")).isEqualTo(2);
    assertThat(stderr()).contains("--dims must be pairs full,half");
    assertThat(TinstreamCli.run("bench", "lrea", "--threads", "0")).isEqualTo(2);
    assertThat(stderr()).contains("--threads must be >= 1");
    assertThat(TinstreamCli.run("bench", "ingest", "--out", "docs/benchmarks.md")).isEqualTo(2);
    assertThat(stderr()).contains("--out is a directory");
  }
}
