package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench models} at its smallest: a few tenths of a second per phase. */
class ModelBenchCommandTest {

  private final StringWriter out = new StringWriter();

  private int bench(String... args) {
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));
    return cl.execute(args);
  }

  @Test
  void measuresAndWritesTheSection(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("benchmarks.md");
    int rc =
        bench(
            "models",
            "--lengths",
            "8,16",
            "--batch-size",
            "32",
            "--seconds",
            "0.2",
            "--doc",
            doc.toString());
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("| tin | 32 | 8 |").contains("| tin | 32 | 16 |");
    assertThat(Files.readString(doc))
        .contains("Model core (TIN, TF Java CPU)")
        .contains("`bench models --model tin --batch-size 32 --threads 2`")
        .contains("| tin | 32 | 16 |");
  }

  @Test
  void outDirectoryTakesTheDocAndTheJson(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("report");
    int rc =
        bench(
            "models",
            "--lengths",
            "8",
            "--batch-size",
            "16",
            "--seconds",
            "0.1",
            "--threads",
            "1",
            "--out",
            dir.toString(),
            "--json");
    assertThat(rc).isZero();
    assertThat(Files.readString(dir.resolve("benchmarks.md")))
        .contains("<!-- section:model-core -->")
        .contains("--threads 1`")
        .contains("| tin | 16 | 8 |");
    assertThat(Files.readString(dir.resolve("bench-model-core.json")))
        .contains("\"length\" : 8")
        .contains("\"trainSamplesPerSec\"");
  }

  @Test
  void noDocOnlyPrints(@TempDir Path tmp) throws Exception {
    int rc =
        bench(
            "models",
            "--lengths",
            "8",
            "--batch-size",
            "16",
            "--seconds",
            "0.1",
            "--out",
            tmp.toString(),
            "--json",
            "--no-doc");
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("| tin | 16 | 8 |");
    try (var files = Files.list(tmp)) {
      assertThat(files).isEmpty();
    }
  }
}
