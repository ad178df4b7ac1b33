package io.tinstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DatumReader;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes and decodes one record type as Avro single-object encoding (a 10-byte header with the
 * writer schema's fingerprint, then the binary body) – the wire format of every tinstream topic.
 *
 * <p>The header is what makes schema evolution work without a registry: the decoder knows the
 * current schema and every historical one shipped under {@code history/}, and resolves a record
 * written with any of them into the current class.
 *
 * <p>Decoding is bounded by the record's own length: a declared string, bytes or collection length
 * larger than the bytes left is refused before anything is allocated (see {@link BoundedDecoder}),
 * and bytes left over after the body are an error too, so one corrupt record costs a dead letter,
 * never the task's heap.
 */
public final class AvroCodec<T extends SpecificRecordBase> {

  /** The single-object header: two magic bytes, then the writer schema's 8-byte fingerprint. */
  private static final int HEADER_LENGTH = 10;

  private static final byte MAGIC_0 = (byte) 0xC3;
  private static final byte MAGIC_1 = (byte) 0x01;

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;

  /** Readers into the current class, by the fingerprint of the writer schema they resolve. */
  private final Map<Long, DatumReader<T>> readers = new HashMap<>();

  private AvroCodec(Class<T> type, Schema schema, List<String> historicalSchemas) {
    this.type = type;
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    addReader(schema, schema);
    for (String resource : historicalSchemas) {
      addReader(loadSchema(resource), schema);
    }
  }

  @SuppressWarnings("unchecked")
  private void addReader(Schema writer, Schema reader) {
    readers.put(
        SchemaNormalization.parsingFingerprint64(writer),
        (DatumReader<T>) SpecificData.get().createDatumReader(writer, reader));
  }

  public static AvroCodec<BehaviorEvent> behaviorEvents() {
    return new AvroCodec<>(
        BehaviorEvent.class, BehaviorEvent.getClassSchema(), List.of("BehaviorEvent-v1.avsc"));
  }

  public static AvroCodec<AdRequest> adRequests() {
    return new AvroCodec<>(AdRequest.class, AdRequest.getClassSchema(), List.of());
  }

  public static AvroCodec<ScoreResponse> scoreResponses() {
    return new AvroCodec<>(ScoreResponse.class, ScoreResponse.getClassSchema(), List.of());
  }

  public static AvroCodec<ProbeResponse> probeResponses() {
    return new AvroCodec<>(
        ProbeResponse.class, ProbeResponse.getClassSchema(), List.of("ProbeResponse-v1.avsc"));
  }

  public static AvroCodec<ModelUpdate> modelUpdates() {
    return new AvroCodec<>(
        ModelUpdate.class,
        ModelUpdate.getClassSchema(),
        List.of("ModelUpdate-v1.avsc", "ModelUpdate-v2.avsc"));
  }

  public static AvroCodec<TrainingExample> trainingExamples() {
    return new AvroCodec<>(
        TrainingExample.class,
        TrainingExample.getClassSchema(),
        List.of("TrainingExample-v1.avsc", "TrainingExample-v2.avsc", "TrainingExample-v3.avsc"));
  }

  public static AvroCodec<TaxonomyEntry> taxonomyEntries() {
    return new AvroCodec<>(TaxonomyEntry.class, TaxonomyEntry.getClassSchema(), List.of());
  }

  public static AvroCodec<DeadLetter> deadLetters() {
    return new AvroCodec<>(DeadLetter.class, DeadLetter.getClassSchema(), List.of());
  }

  /** The schema of a historical version, as shipped under {@code history/}. */
  public static Schema historicalSchema(String resource) {
    return loadSchema(resource);
  }

  public Class<T> type() {
    return type;
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | AvroRuntimeException e) {
      throw new IllegalArgumentException(
          "cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws RecordDecodeException with a reason fit for a dead-letter record
   */
  public T decode(byte[] bytes) throws RecordDecodeException {
    if (bytes == null) {
      throw new RecordDecodeException("empty record value (null)");
    }
    if (bytes.length < HEADER_LENGTH || bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
      throw new RecordDecodeException(
          "not Avro single-object encoded "
              + type.getSimpleName()
              + ": "
              + (bytes.length < HEADER_LENGTH
                  ? "only " + bytes.length + " bytes, shorter than the header"
                  : String.format("unrecognized header bytes 0x%02X 0x%02X", bytes[0], bytes[1])));
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    DatumReader<T> reader = readers.get(fingerprint);
    if (reader == null) {
      throw new RecordDecodeException(
          "unknown writer schema for "
              + type.getSimpleName()
              + ": fingerprint "
              + Long.toHexString(fingerprint));
    }
    BoundedDecoder in = new BoundedDecoder(bytes, HEADER_LENGTH);
    T record;
    try {
      record = reader.read(null, in);
    } catch (IOException | RuntimeException e) {
      throw new RecordDecodeException(
          "corrupt "
              + type.getSimpleName()
              + " body: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    if (in.remaining() > 0) {
      throw new RecordDecodeException(
          "corrupt "
              + type.getSimpleName()
              + " body: "
              + in.remaining()
              + " trailing bytes after a complete record");
    }
    return record;
  }

  private static Schema loadSchema(String resource) {
    try (InputStream in = AvroCodec.class.getResourceAsStream("history/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("historical schema missing from the jar: " + resource);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
