# Written by `nixkit offline-pkgs`: the system the bootstrap binaries were built for.
{ system = "x86_64-linux"; }
