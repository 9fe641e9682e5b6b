package dev.usage.spring.aop;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.SpringAsmInfo;
import org.springframework.asm.Type;

/**
 * Finds self-invocations of annotated methods in a class's bytecode: an instance method of the class (or of
 * a superclass) that calls one of the annotated methods with a virtual or interface call naming the class
 * or a superclass as the owner. Such a call goes to the object itself, not through the Spring proxy, so it
 * is not guarded. A call on another instance of the same class also matches (the bytecode alone does not
 * tell the receivers apart); {@code super.m()} calls and static methods do not. Classes whose bytecode cannot
 * be read (generated at run time) are skipped.
 */
final class SelfInvocations {

  private SelfInvocations() {}

  /**
   * The self-invocations of {@code annotated} in {@code userClass} and its superclasses, each as
   * {@code "Caller.method calls Owner.annotated"}, in the order found.
   */
  static List<String> find(Class<?> userClass, Collection<Method> annotated) {
    Map<String, String> targets = new HashMap<>();
    for (Method m : annotated) {
      targets.put(m.getName() + Type.getMethodDescriptor(m), m.getDeclaringClass().getSimpleName() + "." + m.getName());
    }
    List<Class<?>> hierarchy = new ArrayList<>();
    Set<String> owners = new LinkedHashSet<>();
    for (Class<?> c = userClass; c != null && c != Object.class; c = c.getSuperclass()) {
      hierarchy.add(c);
      owners.add(Type.getInternalName(c));
    }
    Set<String> found = new LinkedHashSet<>();
    for (Class<?> c : hierarchy) {
      byte[] bytes = bytecode(c);
      if (bytes != null) {
        new ClassReader(bytes).accept(new Scan(c.getSimpleName(), owners, targets, found),
            ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      }
    }
    return List.copyOf(found);
  }

  private static byte[] bytecode(Class<?> c) {
    ClassLoader loader = c.getClassLoader() != null ? c.getClassLoader() : ClassLoader.getSystemClassLoader();
    try (InputStream in = loader.getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      return null;
    }
  }

  private static final class Scan extends ClassVisitor {

    private final String className;
    private final Set<String> owners;
    private final Map<String, String> targets;
    private final Set<String> found;

    Scan(String className, Set<String> owners, Map<String, String> targets, Set<String> found) {
      super(SpringAsmInfo.ASM_VERSION);
      this.className = className;
      this.owners = owners;
      this.targets = targets;
      this.found = found;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      if ((access & Opcodes.ACC_STATIC) != 0) {
        return null; // no `this` to call through
      }
      String caller = className + "." + name;
      return new MethodVisitor(SpringAsmInfo.ASM_VERSION) {
        @Override
        public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
          String target = targets.get(method + desc);
          if ((opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE) && target != null
              && owners.contains(owner)) {
            found.add(caller + " calls " + target);
          }
        }
      };
    }
  }
}
