package io.tinstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tinstream report} against a real Flink REST endpoint (a MiniCluster's): it reports on the
 * job named tinstream, and says clearly when there is no endpoint or no such job.
 */
class ReportCommandTest {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

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

  @Test
  void anUnreachableEndpointIsAClearFailure(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String rest = "http://127.0.0.1:" + port;

    int code = TinstreamCli.run("report", "--rest", rest, "--report-dir", dir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("report: cannot reach the Flink REST endpoint at " + rest)
        .contains("is a tinstream job running");
    assertThat(dir.resolve("report.html")).doesNotExist();
  }

  @Test
  void aClusterWithoutATinstreamJobIsAClearFailure(
      @TempDir Path dir, @InjectMiniCluster MiniCluster cluster) throws Exception {
    JobClient other = startEndlessJob("word-count");
    try {
      int code =
          TinstreamCli.run(
              "report",
              "--rest",
              rest(cluster),
              "--duration",
              "2s",
              "--interval",
              "1s",
              "--report-dir",
              dir.toString());

      assertThat(code).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("report: no tinstream job is running at " + rest(cluster))
          .contains("jobs there: word-count RUNNING");
      assertThat(dir.resolve("report.html")).doesNotExist();
    } finally {
      other.cancel().get();
    }
  }

  @Test
  void pollsTheRunningTinstreamJobAndWritesTheReport(
      @TempDir Path dir, @InjectMiniCluster MiniCluster cluster) throws Exception {
    // Only the name is tinstream's: the command finds the job, samples it and writes the report;
    // what the figures are is HtmlReportTest's business.
    JobClient job = startEndlessJob("tinstream");
    try {
      int code =
          TinstreamCli.run(
              "report",
              "--rest",
              rest(cluster),
              "--duration",
              "3s",
              "--interval",
              "1s",
              "--report-dir",
              dir.toString());

      assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(0);
      Path html = dir.resolve("report.html").toAbsolutePath();
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains("report: job " + job.getJobID())
          .contains("report: " + html);
      assertThat(Files.readString(html)).contains("<img src=\"events.png\"");
      String samples = Files.readString(dir.resolve("samples.json"));
      assertThat(samples).contains("\"ingested\" : 0.0");
      // At 0, 1, 2 and 3 s: the end of --duration is sampled too.
      assertThat(samples.split("\"elapsed_s\"", -1)).hasSize(5);
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(TinstreamCli.run("report", "--rest", "localhost:8081")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rest must be an http://");
    assertThat(TinstreamCli.run("report", "--interval", "0s")).isEqualTo(2);
    assertThat(TinstreamCli.run("report", "--duration", "soon")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a duration");
  }

  private static String rest(MiniCluster cluster) throws Exception {
    return cluster.getRestAddress().get().toString();
  }

  private static JobClient startEndlessJob(String name) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromSequence(0, Long.MAX_VALUE).sinkTo(new DiscardingSink<>());
    JobClient client = env.executeAsync(name);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (client.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return client;
  }
}
