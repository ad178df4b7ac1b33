package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaxonomyValidatorTest {

  private static final long BEYOND_INT = Integer.MAX_VALUE + 1L;

  @Test
  void edgesTheItemFieldsCanHoldAreValid() {
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L)))
        .isEmpty();
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L2_PARENT, 3L, 0L)))
        .isEmpty();
    // Products and SPUs are longs.
    assertThat(
            TaxonomyValidator.check(
                new TaxonomyEntry(TaxonomyKind.ITEM_PRODUCT, BEYOND_INT, BEYOND_INT + 1)))
        .isEmpty();
  }

  @Test
  void aCategoryParentBeyondIntIsInvalid() {
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, BEYOND_INT)))
        .hasValueSatisfying(r -> assertThat(r).contains("L3_PARENT parent", "int range"));
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L2_PARENT, 3L, BEYOND_INT)))
        .hasValueSatisfying(r -> assertThat(r).contains("L2_PARENT parent", "int range"));
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L2_PARENT, BEYOND_INT, 3L)))
        .hasValueSatisfying(r -> assertThat(r).contains("L2_PARENT child", "int range"));
  }

  @Test
  void aChildEqualToItsParentIsValidAsTheyAreIdsOfDifferentLevels() {
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L2_PARENT, 1L, 1L)))
        .isEmpty();
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 0L, 0L)))
        .isEmpty();
  }

  @Test
  void negativeIdsAreInvalid() {
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.PRODUCT_SPU, -1L, 3L)))
        .hasValueSatisfying(r -> assertThat(r).contains("child is negative"));
    assertThat(TaxonomyValidator.check(new TaxonomyEntry(TaxonomyKind.ITEM_PRODUCT, 1L, -3L)))
        .hasValueSatisfying(r -> assertThat(r).contains("parent is negative"));
  }

  @Test
  void aTaxonomyFileWithABadEdgeIsAStartupErrorNamingTheLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("taxonomy.csv");
    Files.writeString(
        file,
        "kind,child,parent\nL3_PARENT,30,3\nL2_PARENT,3,4294967296\n",
        StandardCharsets.UTF_8);

    assertThatThrownBy(() -> TaxonomyFile.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("L2_PARENT parent is not a category");
  }
}
