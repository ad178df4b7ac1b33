package io.tinstream.app.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flink session cluster of separate JVMs on this machine: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each its own
 * {@code java} process on the cluster classpath of {@link ClusterClasspath}, configured by a {@code
 * config.yaml} (Flink 2's standard-YAML file) in a directory of its own and sized by Flink's own
 * {@code BashJavaUtils}, as Flink's start scripts do. Each process writes its log and its
 * stdout/stderr under the directory; {@link #close} kills whatever is left.
 */
final class FlinkProcessCluster implements AutoCloseable {

  /** Flink's own JDK 17 settings (the distribution's {@code env.java.opts.all}). */
  private static final List<String> JVM_OPENS =
      List.of(
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.math=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");

  private final Path dir;
  private final Path conf;
  private final String classpath;
  private final int restPort;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Thread killOnExit;
  private Sizing taskManagerSizing;

  private FlinkProcessCluster(Path dir, String classpath, int restPort) {
    this.dir = dir;
    this.conf = dir.resolve("conf");
    this.classpath = classpath;
    this.restPort = restPort;
    // The cluster's JVMs must not outlive a test JVM that dies before close().
    this.killOnExit = new Thread(() -> processes.values().forEach(Process::destroyForcibly));
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Writes the configuration and starts the JobManager (not waiting for it).
   *
   * @param settings extra config.yaml entries (key: value), after the defaults
   */
  static FlinkProcessCluster start(Path dir, String classpath, Map<String, String> settings)
      throws IOException {
    FlinkProcessCluster cluster = new FlinkProcessCluster(dir, classpath, freePort());
    cluster.writeConfiguration(settings);
    cluster.launch(
        "jobmanager",
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
        cluster.sizing("GET_JM_RESOURCE_PARAMS"),
        List.of());
    return cluster;
  }

  String restAddress() {
    return "http://127.0.0.1:" + restPort;
  }

  Path directory() {
    return dir;
  }

  /** Starts a TaskManager whose resource id (as the REST API names it) is {@code id}. */
  void startTaskManager(String id) throws IOException {
    if (taskManagerSizing == null) {
      taskManagerSizing = sizing("GET_TM_RESOURCE_PARAMS");
    }
    launch(
        id,
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
        taskManagerSizing,
        List.of("-D", "taskmanager.resource-id=" + id));
  }

  /** {@code kill -9} of one of the cluster's processes: no shutdown hook, no goodbye to the JM. */
  int kill9(String id) throws Exception {
    Process p = processes.get(id);
    if (p == null) {
      throw new IllegalArgumentException("no process " + id);
    }
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(p.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -9 " + p.pid() + " failed");
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(id + " still alive 30 s after kill -9");
    }
    return p.exitValue();
  }

  boolean isAlive(String id) {
    Process p = processes.get(id);
    return p != null && p.isAlive();
  }

  /**
   * One line per process for a failure message: alive or its exit status, and the last ERROR line
   * of its log (a CI run keeps only the test's output, not the cluster's files).
   */
  String summary() {
    StringBuilder line = new StringBuilder();
    processes.forEach(
        (id, p) -> {
          line.append(line.length() == 0 ? "" : "; ")
              .append(id)
              .append(p.isAlive() ? " alive" : " exited " + p.exitValue());
          lastError(id).ifPresent(e -> line.append(", last error: ").append(e));
        });
    return line.toString();
  }

  private java.util.Optional<String> lastError(String id) {
    try (java.util.stream.Stream<String> lines = Files.lines(log(id), StandardCharsets.UTF_8)) {
      return lines
          .filter(l -> l.contains(" ERROR "))
          .reduce((first, second) -> second)
          .map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l);
    } catch (IOException | UncheckedIOException e) {
      return java.util.Optional.empty();
    }
  }

  /** The log file of a process (Flink's log4j file appender). */
  Path log(String id) {
    return dir.resolve("log").resolve(id + ".log");
  }

  private void writeConfiguration(Map<String, String> extra) throws IOException {
    Files.createDirectories(conf);
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("tmp"));
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", Integer.toString(freePort()));
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", Integer.toString(restPort));
    c.put("io.tmp.dirs", dir.resolve("tmp").toString());
    c.put("web.tmpdir", dir.resolve("tmp").toString());
    c.put("state.backend.type", "rocksdb");
    // TF Java's native library loads in one class loader per JVM, so TF comes from the
    // cluster's classpath for every job (and every restart of one), as in docker-compose.yml.
    c.put("classloader.parent-first-patterns.additional", "[org.tensorflow, org.bytedeco]");
    c.putAll(extra);
    StringBuilder yaml = new StringBuilder("# written by FlinkProcessCluster\n");
    c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
    Files.writeString(conf.resolve("config.yaml"), yaml.toString());
    Files.writeString(
        conf.resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = file",
            "appender.file.type = File",
            "appender.file.name = file",
            "appender.file.fileName = ${sys:log.file}",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            ""));
  }

  /**
   * Flink's sizing of a process from config.yaml: the JVM flags (heap, direct, metaspace) and the
   * memory and CPU settings it starts with (a TaskManager refuses to start without them).
   */
  private Sizing sizing(String command) throws IOException {
    Path out = dir.resolve("log").resolve(command + ".out");
    Process p =
        new ProcessBuilder(
                javaBinary(),
                "-cp",
                classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                command,
                "--configDir",
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("BashJavaUtils " + command + " failed, see " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
    List<String> results =
        Files.readAllLines(out, StandardCharsets.UTF_8).stream()
            .filter(l -> l.startsWith(prefix))
            .map(l -> l.substring(prefix.length()).trim())
            .toList();
    if (results.size() < 2) {
      throw new IllegalStateException(
          "BashJavaUtils " + command + " printed no sizing, see " + out);
    }
    return new Sizing(
        Arrays.asList(results.get(0).split("\\s+")), Arrays.asList(results.get(1).split("\\s+")));
  }

  /** A process's JVM flags and the {@code -D key=value} settings it is started with. */
  private record Sizing(List<String> jvmFlags, List<String> settings) {}

  private void launch(String id, String mainClass, Sizing sizing, List<String> extra)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(sizing.jvmFlags());
    command.addAll(JVM_OPENS);
    command.add("-Dlog.file=" + log(id));
    command.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.add("--configDir");
    command.add(conf.toString());
    command.addAll(sizing.settings());
    command.addAll(extra);
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log").resolve(id + ".out").toFile())
            .start();
    processes.put(id, p);
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : processes.values()) {
      p.destroyForcibly();
    }
    for (Process p : processes.values()) {
      try {
        p.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running already
    }
  }
}
