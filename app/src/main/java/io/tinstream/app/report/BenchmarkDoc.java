package io.tinstream.app.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps {@code docs/benchmarks.md} as one file that several benchmark commands write into: each
 * owns a section between HTML comment markers and replaces only that section, so running one
 * benchmark never erases another's figures.
 */
public final class BenchmarkDoc {

  private static final String HEADER =
      "# Benchmarks\n\n"
          + "Every section is written by a benchmark command (named in the section) on the machine"
          + " it ran on; rerun the command to refresh it. Compare figures only within one section:"
          + " machines are noisy.\n";

  private BenchmarkDoc() {}

  /**
   * Creates {@code file} if needed and replaces (or appends) the section {@code sectionId}.
   *
   * @param markdownBody the section body, without its title
   */
  public static void replaceSection(
      Path file, String sectionId, String title, String markdownBody) {
    if (!sectionId.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("section id must be [a-z0-9-]+: " + sectionId);
    }
    String begin = "<!-- section:" + sectionId + " -->";
    String end = "<!-- /section:" + sectionId + " -->";
    String section = begin + "\n## " + title + "\n\n" + markdownBody.strip() + "\n" + end;
    try {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
      int from = text.indexOf(begin);
      int to = text.indexOf(end);
      String updated;
      if (from >= 0 && to > from) {
        updated = text.substring(0, from) + section + text.substring(to + end.length());
      } else {
        updated = text.stripTrailing() + "\n\n" + section + "\n";
      }
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, updated, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write benchmark section to " + file, e);
    }
  }
}
