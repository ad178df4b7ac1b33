package io.tinstream.app.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run report from a synthetic time series: every chart linked, drawn and not blank. */
class HtmlReportTest {

  private static final List<String> ALL_CHARTS =
      List.of(
          "events.png",
          "throughput.png",
          "latency.png",
          "freshness.png",
          "auc.png",
          "model-version.png",
          "state.png");

  /**
   * 24 intervals of 5 s of a demo serving two variants; as in a real run the AUCs are not known yet
   * (null in the JSON line) for the first intervals, nor the state before the first checkpoint.
   */
  private static ReportTimeline demoTimeline() {
    ReportTimeline timeline = new ReportTimeline();
    for (int i = 1; i <= 24; i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("elapsed_s", 5L * i);
      f.put("fed", 100_000L * i);
      f.put("fed_per_s", 20_000.0 + 300 * Math.sin(i));
      f.put("ingested", 100_000.0 * i - 4_000);
      f.put("ingested_per_s", 19_500.0 + 500 * Math.cos(i));
      f.put("users", 2_000.0);
      f.put("dead_letters", (double) (2 * i));
      f.put("checkpoint_bytes", i < 3 ? -1L : 1_000_000L * i);
      f.put("ceiling_auc", i < 4 ? null : 0.80 + 0.001 * i);
      f.put("e2e_p50_ms", 12.0 + i % 3);
      f.put("e2e_p99_ms", 40.0 + i % 5);
      f.put("in_job_p50_ms", 3.0 + i % 2);
      f.put("in_job_p99_ms", 9.0 + i % 4);
      f.put("freshness_behavior_p99_ms", 250.0 + 10 * (i % 6));
      f.put("freshness_model_p99_ms", 900.0 + 50 * (i % 4));
      for (String v : List.of("tin", "din")) {
        Map<String, Object> m = new HashMap<>();
        m.put("progressive_auc", i < 5 ? null : 0.55 + 0.01 * i);
        m.put("served_auc", i < 8 ? Double.NaN : 0.52 + 0.008 * i);
        m.put("model_version", (double) (i / 2));
        f.put("variant." + v, m);
      }
      timeline.record(f);
    }
    return timeline;
  }

  @Test
  void thePageLinksEveryChartAndEachIsADrawnPngOfTheChartSize(@TempDir Path dir) throws Exception {
    Path html = HtmlReport.write(dir, "tinstream demo, synthetic feed", demoTimeline());

    assertThat(html).isEqualTo(dir.resolve("report.html").toAbsolutePath());
    String page = Files.readString(html);
    List<String> linked = imageSources(page);
    assertThat(linked).containsExactlyElementsOf(ALL_CHARTS);
    assertThat(page).doesNotContain("<script").contains("width=\"720\" height=\"420\"");
    for (String png : ALL_CHARTS) {
      BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
      assertThat(image).as(png + " decodes").isNotNull();
      assertThat(image.getWidth()).as(png).isEqualTo(720);
      assertThat(image.getHeight()).as(png).isEqualTo(420);
      // Axes, grid and text are grey; the series' lines and markers are coloured. A chart whose
      // series did not draw has at most its legend's few coloured pixels.
      assertThat(colouredPixels(image)).as(png + " has its series drawn").isGreaterThan(1_500);
    }
    assertThat(Files.readString(dir.resolve("samples.json")))
        .contains("\"progressive_auc\" : null")
        .contains("\"elapsed_s\" : 120");
  }

  @Test
  void aFigureNotKnownYetIsAGapNotAZero() {
    ReportTimeline timeline = demoTimeline();

    double[] auc = timeline.variantColumn("tin", "progressive_auc");
    assertThat(auc[0]).isNaN();
    assertThat(auc[3]).isNaN();
    assertThat(auc[4]).isEqualTo(0.60, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(timeline.variantColumn("tin", "served_auc")[6]).isNaN();
    assertThat(timeline.column("no_such_figure")).containsOnly(Double.NaN);
  }

  @Test
  void aSeriesNeverMeasuredKeepsItsChartAndSaysSo(@TempDir Path dir) throws Exception {
    // What the report command sees of a job serving no ad requests: no feeder, no latencies.
    ReportTimeline timeline = new ReportTimeline();
    for (int i = 1; i <= 6; i++) {
      timeline.record(
          Map.of(
              "elapsed_s",
              5.0 * i,
              "ingested",
              1_000.0 * i,
              "in_job_p99_ms",
              Double.NaN,
              "checkpoint_bytes",
              -1L));
    }
    Path html = HtmlReport.write(dir, "tinstream job", timeline);

    assertThat(imageSources(Files.readString(html)))
        .containsExactly(
            "events.png", "throughput.png", "latency.png", "freshness.png", "state.png");
    for (String png : imageSources(Files.readString(html))) {
      BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
      assertThat(image.getWidth()).as(png).isEqualTo(720);
      assertThat(image.getHeight()).as(png).isEqualTo(420);
    }
    var latency =
        ReportCharts.of(timeline).stream()
            .filter(c -> c.fileName().equals("latency.png"))
            .findFirst()
            .orElseThrow();
    assertThat(latency.chart().getSeriesMap().keySet())
        .contains("in-job p99 (no value)", "end-to-end p50 (no value)");
  }

  @Test
  void recordsACopyOfTheFiguresTheDemoReuses() {
    Map<String, Object> figures = new LinkedHashMap<>();
    Map<String, Object> tin = new HashMap<>(Map.of("served_auc", 0.7));
    figures.put("elapsed_s", 5L);
    figures.put("variant.tin", tin);
    ReportTimeline timeline = new ReportTimeline();
    timeline.record(figures);
    figures.clear();
    tin.put("served_auc", 0.1);

    assertThat(timeline.seconds()).containsExactly(5.0);
    assertThat(timeline.variantColumn("tin", "served_auc")).containsExactly(0.7);
    assertThat(timeline.variants()).containsExactly("tin");
  }

  @Test
  void noSamplesIsAClearError(@TempDir Path dir) {
    assertThatThrownBy(() -> HtmlReport.write(dir, "x", new ReportTimeline()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no samples");
  }

  private static List<String> imageSources(String html) {
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    List<String> sources = new java.util.ArrayList<>();
    while (m.find()) {
      sources.add(m.group(1));
    }
    return sources;
  }

  private static int colouredPixels(BufferedImage image) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
          n++;
        }
      }
    }
    return n;
  }
}
