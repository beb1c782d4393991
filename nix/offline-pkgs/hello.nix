# nixpkgs' hello prints "Hello, world!"; this one is a bash script with the same interface
# for the options most used in examples (--greeting/-g, --traditional/-t, --version, --help).
{ stdenv, bootstrap }:
stdenv.mkDerivation {
  pname = "hello";
  version = "2.12.1";
  dontUnpack = true;
  installPhase = ''
    mkdir -p $out/bin
    cat > $out/bin/hello <<'SCRIPT'
    #!/usr/bin/env bash
    greeting="Hello, world!"
    while [ $# -gt 0 ]; do
      case "$1" in
        -g|--greeting) greeting="$2"; shift ;;
        --greeting=*) greeting="''${1#--greeting=}" ;;
        -t|--traditional) greeting="hello, world" ;;
        -v|--version) echo "hello (GNU Hello) 2.12.1"; exit 0 ;;
        -h|--help) echo "Usage: hello [OPTION]..."; echo "Print a friendly, customizable greeting."; exit 0 ;;
        *) echo "hello: unrecognized option '$1'" >&2; exit 1 ;;
      esac
      shift
    done
    printf '%s\n' "$greeting"
    SCRIPT
    chmod +x $out/bin/hello
  '';
  nativeBuildInputs = [ bootstrap.bash ];
  meta.mainProgram = "hello";
}
