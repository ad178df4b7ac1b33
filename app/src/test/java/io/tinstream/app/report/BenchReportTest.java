package io.tinstream.app.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.app.report.BenchReport.Table;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

  record Point(int length, double micros) {}

  private static void write(BenchReport report) {
    report.write(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
  }

  @Test
  void tablesKeepTheLayoutOfTheExistingSections() {
    String md =
        Table.of("job", "events/s", "ratio")
            .rightAligned(1, 2)
            .row("reference", "162,470", "1.00")
            .markdown();
    assertThat(md)
        .isEqualTo("| job | events/s | ratio |\n|---|---:|---:|\n| reference | 162,470 | 1.00 |\n");
    assertThat(Table.of("L", "ms").rightAligned().row(1000, "8.21").markdown())
        .isEqualTo("| L | ms |\n|---:|---:|\n| 1000 | 8.21 |\n");
    assertThatThrownBy(() -> Table.of("a", "b").row("only one"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void replacesOnlyItsSectionAndLinksThePlotFromTheDoc(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("docs/benchmarks.md");
    write(
        new BenchReport("other", "Other", tmp.resolve("docs"), doc, true, false).paragraph("kept"));
    BenchReport first = new BenchReport("lrea", "LREA", tmp.resolve("docs/img"), doc, true, true);
    write(first.paragraph("old figures"));

    List<Point> rows = List.of(new Point(1000, 18.6), new Point(10000, 18.3));
    BenchReport report = new BenchReport("lrea", "LREA", tmp.resolve("docs/img"), doc, true, true);
    report
        .paragraph("Setup.")
        .table(Table.of("L", "µs").row(1000, "18.6").row(10000, "18.3"))
        .data(rows)
        .plot("bench-lrea.png", "cost per candidate vs L")
        .title("cost")
        .axes("L", "µs")
        .logLog()
        .series("lrea", new double[] {1000, 10000}, new double[] {18.6, 18.3});
    write(report);

    String text = Files.readString(doc);
    assertThat(text)
        .startsWith("# Benchmarks\n")
        .contains("<!-- section:other -->\n## Other\n\nkept\n<!-- /section:other -->")
        .contains(
            "<!-- section:lrea -->\n## LREA\n\nSetup.\n\n| L | µs |\n|---|---|\n| 1000 | 18.6 |\n"
                + "| 10000 | 18.3 |\n\n![cost per candidate vs L](img/bench-lrea.png)\n"
                + "<!-- /section:lrea -->")
        .doesNotContain("old figures");
    byte[] png = Files.readAllBytes(tmp.resolve("docs/img/bench-lrea.png"));
    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    assertThat(Files.readString(tmp.resolve("docs/img/bench-lrea.json")))
        .contains("\"length\" : 10000")
        .contains("\"micros\" : 18.3");
  }

  @Test
  void sectionIdsAreMarkerSafe() {
    assertThatThrownBy(
            () -> new BenchReport("Bad id", "t", Path.of("."), Path.of("x.md"), false, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
