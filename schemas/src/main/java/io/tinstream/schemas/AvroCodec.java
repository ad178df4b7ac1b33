package io.tinstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes and decodes one record type as Avro single-object encoding (a 10-byte header with the
 * writer schema's fingerprint, then the binary body) – the wire format of every tinstream topic.
 *
 * <p>The header is what makes schema evolution work without a registry: the decoder knows the
 * current schema and every historical one shipped under {@code history/}, and resolves a record
 * written with any of them into the current class.
 */
public final class AvroCodec<T extends SpecificRecordBase> {

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroCodec(Class<T> type, Schema schema, List<String> historicalSchemas) {
    this.type = type;
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    for (String resource : historicalSchemas) {
      decoder.addSchema(loadSchema(resource));
    }
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
    return new AvroCodec<>(ProbeResponse.class, ProbeResponse.getClassSchema(), List.of());
  }

  public static AvroCodec<ModelUpdate> modelUpdates() {
    return new AvroCodec<>(
        ModelUpdate.class, ModelUpdate.getClassSchema(), List.of("ModelUpdate-v1.avsc"));
  }

  public static AvroCodec<TrainingExample> trainingExamples() {
    return new AvroCodec<>(
        TrainingExample.class,
        TrainingExample.getClassSchema(),
        List.of("TrainingExample-v1.avsc", "TrainingExample-v2.avsc"));
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
    try {
      return decoder.decode(bytes);
    } catch (BadHeaderException e) {
      throw new RecordDecodeException(
          "not Avro single-object encoded " + type.getSimpleName() + ": " + e.getMessage());
    } catch (MissingSchemaException e) {
      throw new RecordDecodeException(
          "unknown writer schema for " + type.getSimpleName() + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new RecordDecodeException(
          "corrupt "
              + type.getSimpleName()
              + " body: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
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
