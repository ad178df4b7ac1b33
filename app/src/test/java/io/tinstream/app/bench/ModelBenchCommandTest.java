package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelBenchCommandTest {
  @Test
  void measuresAndWritesTheSection(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("benchmarks.md");
    CommandLine cl = new CommandLine(new ModelBenchCommand());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));
    int rc =
        cl.execute(
            "--lengths", "8,16", "--batch-size", "32", "--seconds", "0.2", "--doc", doc.toString());
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("| tin | 32 | 8 |").contains("| tin | 32 | 16 |");
    assertThat(Files.readString(doc))
        .contains("Model core (TIN, TF Java CPU)")
        .contains("| tin | 32 | 16 |");
  }
}
