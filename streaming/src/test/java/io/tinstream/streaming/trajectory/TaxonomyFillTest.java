package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaxonomyFillTest {

  private static final Map<String, Long> EDGES = new HashMap<>();

  static {
    EDGES.put(TaxonomyLookup.key(TaxonomyKind.L3_PARENT, 30), 3L);
    EDGES.put(TaxonomyLookup.key(TaxonomyKind.L2_PARENT, 3), 1L);
    EDGES.put(TaxonomyLookup.key(TaxonomyKind.ITEM_PRODUCT, 7), 70L);
    EDGES.put(TaxonomyLookup.key(TaxonomyKind.PRODUCT_SPU, 70), 700L);
  }

  private static final TaxonomyLookup LOOKUP =
      (kind, child) -> EDGES.get(TaxonomyLookup.key(kind, child));

  @Test
  void fillsEveryMissingLevelFromTheLeafAndTheItem() throws Exception {
    ItemFields sparse = ItemFields.newBuilder().setItemId(7).setCategoryL3(30).build();
    ItemFields filled = TaxonomyFill.fill(sparse, LOOKUP);
    assertThat(filled.getCategoryL2()).isEqualTo(3);
    assertThat(filled.getCategoryL1()).isEqualTo(1);
    assertThat(filled.getProductId()).isEqualTo(70L);
    assertThat(filled.getSpuId()).isEqualTo(700L);
  }

  @Test
  void aCategoryParentNoFieldCanHoldIsUnknownNotAFailure() throws Exception {
    Map<String, Long> restored = new HashMap<>(EDGES);
    restored.put(TaxonomyLookup.key(TaxonomyKind.L3_PARENT, 40), Integer.MAX_VALUE + 1L);
    restored.put(TaxonomyLookup.key(TaxonomyKind.L2_PARENT, 3), -1L);
    TaxonomyLookup lookup = (kind, child) -> restored.get(TaxonomyLookup.key(kind, child));

    ItemFields beyond = ItemFields.newBuilder().setItemId(8).setCategoryL3(40).build();
    assertThat(TaxonomyFill.fill(beyond, lookup).getCategoryL2()).isNull();
    ItemFields negative = ItemFields.newBuilder().setItemId(8).setCategoryL3(30).build();
    ItemFields filled = TaxonomyFill.fill(negative, lookup);
    assertThat(filled.getCategoryL2()).isEqualTo(3);
    assertThat(filled.getCategoryL1()).isNull();
  }

  @Test
  void neverOverwritesWhatTheProducerSent() throws Exception {
    ItemFields given =
        ItemFields.newBuilder()
            .setItemId(7)
            .setCategoryL3(30)
            .setCategoryL2(9)
            .setProductId(5L)
            .build();
    ItemFields filled = TaxonomyFill.fill(given, LOOKUP);
    assertThat(filled.getCategoryL2()).isEqualTo(9);
    assertThat(filled.getCategoryL1()).isNull(); // 9 has no parent in the taxonomy
    assertThat(filled.getProductId()).isEqualTo(5L);
    assertThat(filled.getSpuId()).isNull();
  }

  @Test
  void unknownItemsStayAsTheyAre() throws Exception {
    ItemFields unknown = ItemFields.newBuilder().setItemId(99).setCategoryL3(31).build();
    assertThat(TaxonomyFill.fill(unknown, LOOKUP)).isSameAs(unknown);
  }

  @Test
  void fileRoundTrip(@TempDir Path dir) throws Exception {
    List<TaxonomyEntry> entries =
        List.of(
            new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L),
            new TaxonomyEntry(TaxonomyKind.PRODUCT_SPU, 70L, 700L));
    Path file = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(file, entries);
    assertThat(TaxonomyFile.read(file)).isEqualTo(entries);
  }
}
