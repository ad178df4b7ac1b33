package io.tinstream.app.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The one place where tinstream's charts get their size, style and encoding: the benchmarks' charts
 * ({@link BenchReport}) and the run report's ({@link HtmlReport}) are drawn by XChart and written
 * here as PNG, so both look the same and a change of style is made once.
 */
public final class Charts {

  /** Pixels of every chart; the HTML report sizes its images from these. */
  public static final int WIDTH = 720;

  public static final int HEIGHT = 420;

  static {
    // Charts are drawn into images, never onto a screen: no display needed, none opened.
    System.setProperty("java.awt.headless", "true");
    // ImageIO's default disk cache registers a JVM shutdown hook at its first use, which fails
    // while the JVM is shutting down: the demo writes its report from Ctrl-C too. PNGs of a few
    // tens of KB need no disk cache.
    ImageIO.setUseCache(false);
  }

  private Charts() {}

  /** An empty line chart in the house style; add series, then {@link #writePng}. */
  public static XYChart lineChart(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    return chart;
  }

  /**
   * A line chart over time, legend below the plot: a time series spans the whole width, so a legend
   * inside would hide some of it.
   */
  public static XYChart timeChart(String title, String yTitle) {
    XYChart chart = lineChart(title, "seconds since start", yTitle);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    return chart;
  }

  /** Writes {@code chart} as a PNG at {@code file} (parent directories created). */
  public static Path writePng(XYChart chart, Path file) {
    if (!file.getFileName().toString().endsWith(".png")) {
      throw new IllegalArgumentException("chart file must be *.png: " + file);
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write chart " + file, e);
    }
  }
}
