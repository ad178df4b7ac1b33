package io.tinstream.app.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A job jar for a Flink cluster, written from the project's class directories: the project's
 * classes at the root and the job's own libraries as jars under {@code lib/}, which Flink puts on
 * the job's class path ({@code PackagedProgram} extracts them). Equivalent to the {@code job-jar}
 * profile's shaded jar without a {@code mvn package} first: integration tests run before the
 * package phase.
 */
final class JobJar {

  private JobJar() {}

  static Path write(Path jar, ClusterClasspath classpath, String mainClass) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
    Set<String> written = new HashSet<>();
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      written.add(JarFile.MANIFEST_NAME);
      for (Path classes : classpath.projectClasses()) {
        if (Files.isDirectory(classes)) {
          addDirectory(out, classes, written);
        } else {
          addJarContents(out, classes, written);
        }
      }
      for (Path library : classpath.jobLibraries()) {
        String name = "lib/" + library.getFileName();
        if (written.add(name)) {
          out.putNextEntry(new JarEntry(name));
          Files.copy(library, out);
          out.closeEntry();
        }
      }
    }
    return jar;
  }

  private static void addDirectory(JarOutputStream out, Path root, Set<String> written)
      throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        String name = root.relativize(f).toString().replace('\\', '/');
        if (written.add(name)) {
          out.putNextEntry(new JarEntry(name));
          Files.copy(f, out);
          out.closeEntry();
        }
      }
    }
  }

  private static void addJarContents(JarOutputStream out, Path jar, Set<String> written)
      throws IOException {
    try (JarFile in = new JarFile(jar.toFile())) {
      for (JarEntry e : (Iterable<JarEntry>) in.stream()::iterator) {
        if (e.isDirectory() || !written.add(e.getName())) {
          continue;
        }
        out.putNextEntry(new JarEntry(e.getName()));
        try (InputStream body = in.getInputStream(e)) {
          body.transferTo(out);
        }
        out.closeEntry();
      }
    }
  }
}
