package io.tinstream.app.cluster;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM's classpath split the way a Flink cluster splits it: what the cluster JVMs start with
 * (Flink, its dependencies, TF Java as the compose file's {@code lib/}), the project's own classes
 * and the job's own libraries, both of which travel in the job jar. The same rule as {@code
 * scripts/local-cluster.sh}: the Kafka connector, Kafka clients, Avro and picocli are the job's,
 * and a second copy on the cluster's classpath would meet the job jar's in one job (Flink loads
 * {@code org.apache.flink.*} parent-first) and clash.
 *
 * @param cluster the cluster JVMs' classpath
 * @param projectClasses the project modules' class directories (or jars)
 * @param jobLibraries the jars the job jar nests under {@code lib/}
 */
record ClusterClasspath(List<Path> cluster, List<Path> projectClasses, List<Path> jobLibraries) {

  private static final List<String> JOB_LIBRARIES =
      List.of(
          "/org/apache/kafka/kafka-clients/",
          "/org/apache/avro/",
          "/info/picocli/",
          "/org/apache/flink/flink-connector-kafka/",
          "/org/apache/flink/flink-connector-base/",
          "/org/apache/flink/flink-avro/");

  /** The in-process broker's jars: the test's, never the cluster's (they need Kafka's clients). */
  private static final List<String> BROKER = List.of("/org/apache/kafka/", "/org/scala-lang/");

  /** This test JVM's classpath (surefire's test classpath when run by Maven). */
  static ClusterClasspath ofThisJvm() {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<Path> cluster = new ArrayList<>();
    List<Path> project = new ArrayList<>();
    List<Path> job = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry).toAbsolutePath();
      String unix = path.toString().replace(File.separatorChar, '/');
      String name = path.getFileName().toString();
      if (Files.isDirectory(path)) {
        if (name.equals("classes") && unix.endsWith("/target/classes")) {
          project.add(path);
        } // test-classes: neither the cluster's nor the job's
      } else if (name.startsWith("tinstream-")) {
        if (!name.endsWith("-tests.jar")) {
          project.add(path);
        }
      } else if (JOB_LIBRARIES.stream().anyMatch(unix::contains)) {
        job.add(path);
      } else if (BROKER.stream().noneMatch(unix::contains)) {
        cluster.add(path);
      }
    }
    if (project.isEmpty()
        || cluster.stream().noneMatch(p -> p.toString().contains("flink-runtime"))) {
      throw new IllegalStateException(
          "this JVM's classpath holds no project classes or no Flink runtime: " + classpath);
    }
    if (cluster.stream().noneMatch(p -> p.toString().contains("tensorflow-core-api"))) {
      throw new IllegalStateException("TF Java is not on this JVM's classpath: " + classpath);
    }
    return new ClusterClasspath(List.copyOf(cluster), List.copyOf(project), List.copyOf(job));
  }

  String clusterClasspath() {
    return String.join(File.pathSeparator, cluster.stream().map(Path::toString).toList());
  }
}
