package io.tinstream.app.cli;

import io.tinstream.streaming.JobSettings;
import java.io.PrintStream;
import java.util.Map;

/**
 * The job's settings as a person reads them: every option with the value in force. {@code job} and
 * {@code demo} print the same table for the same settings, because both print this.
 */
final class ConfigurationTable {

  private ConfigurationTable() {}

  static void print(PrintStream out, JobSettings settings) {
    int width = 0;
    for (Map.Entry<String, String> row : settings.table()) {
      width = Math.max(width, row.getKey().length());
    }
    out.println("  configuration:");
    for (Map.Entry<String, String> row : settings.table()) {
      out.printf("    %-" + width + "s  %s%n", row.getKey(), row.getValue());
    }
  }
}
