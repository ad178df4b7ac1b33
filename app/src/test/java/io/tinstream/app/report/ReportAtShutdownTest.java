package io.tinstream.app.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo writes its report from Ctrl-C too, i.e. while the JVM shuts down, when nothing may
 * register another shutdown hook. A JVM of its own exits and writes the report from a hook.
 */
class ReportAtShutdownTest {

  /** The child JVM: records two samples, then writes the report from a shutdown hook. */
  public static final class WriteOnExit {
    public static void main(String[] args) {
      ReportTimeline timeline = new ReportTimeline();
      timeline.record(Map.of("elapsed_s", 5.0, "ingested", 100.0));
      timeline.record(Map.of("elapsed_s", 10.0, "ingested", 250.0));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      System.out.println(
                          "written " + HtmlReport.write(Path.of(args[0]), "exit", timeline));
                    } catch (RuntimeException e) {
                      e.printStackTrace(System.out);
                    }
                  }));
    }
  }

  @Test
  void theReportIsWrittenWhileTheJvmShutsDown(@TempDir Path dir) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    WriteOnExit.class.getName(),
                    dir.toString()))
            .redirectErrorStream(true)
            .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(output).contains("written " + dir.resolve("report.html").toAbsolutePath());
    assertThat(Files.size(dir.resolve("events.png"))).isPositive();
  }
}
