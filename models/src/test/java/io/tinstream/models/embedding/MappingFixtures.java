package io.tinstream.models.embedding;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The holder the committed format fixtures were written from, and the writer of those files. Run
 * only to add a new format version's fixtures; never rewrite the v1 files, they prove that old data
 * still reads:
 *
 * <pre>
 * java -cp models/target/classes:models/target/test-classes \
 *   io.tinstream.models.embedding.MappingFixtures models/src/test/resources/io/tinstream/models/embedding
 * </pre>
 */
final class MappingFixtures {
  static final String SNAPSHOT_V1 = "id-row-mappings-v1.snapshot";
  static final String DELTA_V1 = "id-row-mappings-v1.delta";

  /** Two fields: "item" (admission after 2, expiry 1 s) and "cat1" (admit on sight, full). */
  static final class Fields {
    final IdRowMappings mappings =
        IdRowMappings.builder()
            .field(
                "item",
                IdRowMappingConfig.builder(8).minCount(2).expiryMs(1000).sketch(64, 2).build())
            .field("cat1", IdRowMappingConfig.builder(4).build())
            .build();
    final IdRowMapping item = mappings.field("item");
    final IdRowMapping cat1 = mappings.field("cat1");

    /** Admits 100, 200, 400 (300 seen once), fills cat1, expires 100 and admits 500 on its row. */
    Fields fill() {
      item.observe(100, 0);
      item.observe(100, 0);
      item.observe(200, 10);
      item.observe(200, 10);
      item.observe(300, 20);
      item.observe(400, 500);
      item.observe(400, 500);
      for (int id = 5; id <= 8; id++) {
        cat1.observe(id, 0);
      }
      mappings.expire(1000);
      item.observe(500, 1100);
      item.observe(500, 1100);
      return this;
    }
  }

  private MappingFixtures() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Fields f = new Fields().fill();
    Files.write(dir.resolve(SNAPSHOT_V1), IdRowMappingsFormat.snapshot(f.mappings, true));
    Files.write(dir.resolve(DELTA_V1), IdRowMappingsFormat.delta(f.mappings, 0));
  }
}
