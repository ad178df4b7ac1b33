package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The taxonomy as a CSV file with header {@code kind,child,parent}, one edge per line; kind is one
 * of {@link TaxonomyKind}. The same edges can be published on the compacted taxonomy topic.
 */
public final class TaxonomyFile {

  private static final String[] HEADER = {"kind", "child", "parent"};

  private TaxonomyFile() {}

  public static List<TaxonomyEntry> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("taxonomy file not found: " + file);
    }
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    List<TaxonomyEntry> entries = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (CSVRecord row : format.parse(reader)) {
        String line = file + " line " + (row.getRecordNumber() + 1) + ": ";
        TaxonomyEntry entry;
        try {
          entry =
              new TaxonomyEntry(
                  TaxonomyKind.valueOf(row.get("kind").trim()),
                  Long.parseLong(row.get("child").trim()),
                  Long.parseLong(row.get("parent").trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(line + e.getMessage(), e);
        }
        // The file's edges bypass the dead letters (they travel in the job), so a bad one must
        // stop the start here rather than fail the trajectory operator on every behavior.
        TaxonomyValidator.check(entry)
            .ifPresent(
                reason -> {
                  throw new IllegalArgumentException(line + reason);
                });
        entries.add(entry);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read taxonomy file " + file + ": " + e, e);
    }
    return entries;
  }

  public static void write(Path file, List<TaxonomyEntry> entries) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(HEADER).get();
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        CSVPrinter printer = new CSVPrinter(writer, format)) {
      for (TaxonomyEntry e : entries) {
        printer.printRecord(e.getKind().name(), e.getChild(), e.getParent());
      }
    }
  }
}
