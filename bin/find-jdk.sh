# Sourced by ./mvnw, ./ablate and .ci/run: exports JAVA_HOME pointing at a JDK 25 or newer.
ablate_jdk_major() {  # prints the feature version of the JDK at $1, or nothing
  local release="$1/release"
  [ -f "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

ablate_find_jdk() {
  local min=25 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major="$(ablate_jdk_major "$JAVA_HOME")"
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
      export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"; return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$candidate/bin/javac" ] || continue
    major="$(ablate_jdk_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "Ablate needs a JDK ${min} or newer (found none in \$JAVA_HOME or /usr/lib/jvm); install one, e.g. Temurin 25, and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$(cd "$best" && pwd -P)"
  export PATH="$JAVA_HOME/bin:$PATH"
}
