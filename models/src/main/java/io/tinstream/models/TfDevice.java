package io.tinstream.models;

import java.io.Serializable;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;

/**
 * Where a model's graph asks its ops to run: {@code cpu}, or {@code gpu:N}. Sessions are always
 * made with soft placement, so a graph placed on {@code gpu:0} runs unchanged on the CPU of a
 * machine without a GPU (or with the CPU native build), and ops without a GPU kernel fall back to
 * the CPU on one that has it.
 */
public record TfDevice(boolean gpu, int index) implements Serializable {

  public static final TfDevice CPU = new TfDevice(false, 0);

  private static final Pattern SYNTAX = Pattern.compile("(cpu|gpu)(?::(\\d{1,4}))?");

  public TfDevice {
    if (index < 0) {
      throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }
  }

  /**
   * Parses {@code cpu}, {@code gpu} (= {@code gpu:0}) or {@code gpu:N}, case-insensitively.
   *
   * @throws IllegalArgumentException with the accepted forms, for anything else
   */
  public static TfDevice parse(String text) {
    Matcher m = SYNTAX.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || (m.group(1).equals("cpu") && m.group(2) != null)) {
      throw new IllegalArgumentException(
          "device must be 'cpu' or 'gpu:N' (N >= 0), got '" + text + "'");
    }
    return new TfDevice(
        m.group(1).equals("gpu"), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  /** The placement handed to {@code Ops.withDevice}. */
  public DeviceSpec spec() {
    return DeviceSpec.newBuilder()
        .deviceType(gpu ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU)
        .deviceIndex(index)
        .build();
  }

  /** The form {@link #parse} reads back. */
  @Override
  public String toString() {
    return gpu ? "gpu:" + index : "cpu";
  }
}
