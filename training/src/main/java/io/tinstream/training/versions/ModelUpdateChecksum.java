package io.tinstream.training.versions;

import io.tinstream.schemas.ModelUpdate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The checksum a {@link ModelUpdate} carries: CRC-32C over every other field (variant, version, run
 * epoch, base version, kind, payload format, creation time) and the payload, with bit 32 set so a
 * written checksum is never 0. 0 is what records written before checksums existed read as (the
 * schema's default), and those are not checked.
 *
 * <p>CRC-32C because it is what catches the damage a topic can do to a record (truncated, flipped
 * or misplaced bytes) and the JDK computes it with the CPU's instruction, so checking a full
 * snapshot of many megabytes costs less than decoding it. It is no signature: it detects accidents,
 * not a writer that means harm.
 */
public final class ModelUpdateChecksum {

  /** Set in every written checksum: tells a computed CRC of 0 from "not checked". */
  private static final long WRITTEN = 1L << 32;

  private ModelUpdateChecksum() {}

  /** The checksum of {@code update}'s content (its own checksum field excluded). */
  public static long of(ModelUpdate update) {
    CRC32C crc = new CRC32C();
    ByteBuffer fields = ByteBuffer.allocate(5 * Long.BYTES + 2 * Integer.BYTES);
    byte[] variant = update.getVariant().getBytes(StandardCharsets.UTF_8);
    fields
        .putInt(variant.length)
        .putLong(update.getVersion())
        .putLong(update.getRunEpoch())
        .putLong(update.getBaseVersion())
        .putLong(update.getKind().ordinal())
        .putInt(update.getFormatVersion())
        .putLong(update.getCreatedAt());
    crc.update(fields.array(), 0, fields.position());
    crc.update(variant);
    crc.update(update.getPayload().duplicate());
    return WRITTEN | crc.getValue();
  }

  /** {@code update} with its checksum set. */
  public static ModelUpdate sealed(ModelUpdate update) {
    update.setChecksum(of(update));
    return update;
  }

  /** Why {@code update}'s checksum does not match its content; empty if it does or is 0. */
  public static Optional<String> mismatch(ModelUpdate update) {
    long carried = update.getChecksum();
    if (carried == 0) {
      return Optional.empty();
    }
    long computed = of(update);
    return carried == computed
        ? Optional.empty()
        : Optional.of(
            "checksum mismatch: the record carries "
                + Long.toHexString(carried)
                + ", its content gives "
                + Long.toHexString(computed)
                + " (corrupt or altered after it was written)");
  }
}
