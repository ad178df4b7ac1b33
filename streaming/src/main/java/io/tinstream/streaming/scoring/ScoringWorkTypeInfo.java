package io.tinstream.streaming.scoring;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type for {@link ScoringWork}: always its own serializer, never Kryo (found through the
 * class's {@code @TypeInfo}, so {@code TypeInformation.of(ScoringWork.class)} gives it too).
 */
public final class ScoringWorkTypeInfo extends TypeInformation<ScoringWork> {
  private static final long serialVersionUID = 1L;

  public static final ScoringWorkTypeInfo INSTANCE = new ScoringWorkTypeInfo();

  private ScoringWorkTypeInfo() {}

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<ScoringWork> getTypeClass() {
    return ScoringWork.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<ScoringWork> createSerializer(SerializerConfig config) {
    return new ScoringWorkSerializer();
  }

  @Override
  public String toString() {
    return "ScoringWork";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScoringWorkTypeInfo;
  }

  @Override
  public int hashCode() {
    return ScoringWorkTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof ScoringWorkTypeInfo;
  }

  /** Ties the type to {@link ScoringWork} through its {@code @TypeInfo} annotation. */
  public static final class Factory extends TypeInfoFactory<ScoringWork> {
    @Override
    public TypeInformation<ScoringWork> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return INSTANCE;
    }
  }
}
