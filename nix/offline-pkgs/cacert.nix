# The CA bundle from the host's Debian ca-certificates, at nixpkgs' path.
{ stdenv }:
stdenv.mkDerivation {
  pname = "nss-cacert";
  version = "debian";
  dontUnpack = true;
  bundle = ./bootstrap/ca-bundle.crt;
  installPhase = ''
    mkdir -p $out/etc/ssl/certs
    cp $bundle $out/etc/ssl/certs/ca-bundle.crt
  '';
  passthru.caBundle = "etc/ssl/certs/ca-bundle.crt";
}
