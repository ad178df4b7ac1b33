package io.tinstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LreaBenchCommandTest {
  @Test
  void measuresEveryMethodOnRequestsBuiltByTheBatchBuilder() {
    CommandLine cl = new CommandLine(new LreaBenchCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int rc =
        cl.execute(
            "--lengths",
            "32",
            "--candidates",
            "4",
            "--rank",
            "4",
            "--dim",
            "8",
            "--k",
            "8",
            "--seconds",
            "0.1",
            "--no-doc");
    assertThat(rc).as(err.toString()).isZero();
    assertThat(err.toString())
        .contains("L=32 din-long")
        .contains("L=32 tin-hard-search K=8")
        .contains("L=32 lrea absorbed r=4");
  }
}
