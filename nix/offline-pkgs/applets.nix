# nixpkgs' GNU tool packages, each as the matching busybox applets.
{ lib, bootstrap, system }:
let
  appletPackage = pname: applets: derivation {
    name = "${pname}-busybox";
    inherit system;
    builder = "${bootstrap.bash}/bin/bash";
    args = [ "-e" (builtins.toFile "applet-package.sh" ''
      $busybox/bin/mkdir -p $out/bin
      for applet in $applets; do $busybox/bin/ln -s $busybox/bin/busybox $out/bin/$applet; done
    '') ];
    busybox = bootstrap.busybox;
    applets = lib.concatStringsSep " " applets;
  };
in {
  coreutils = appletPackage "coreutils" [
    "[" "arch" "base64" "basename" "cat" "chgrp" "chmod" "chown" "chroot" "cp" "cut" "date" "dd"
    "df" "dirname" "du" "echo" "env" "expand" "expr" "factor" "false" "fold" "groups" "head"
    "hostid" "id" "link" "ln" "logname" "ls" "md5sum" "mkdir" "mkfifo" "mknod" "mktemp" "mv"
    "nl" "nproc" "od" "paste" "printf" "pwd" "readlink" "realpath" "rm" "rmdir" "seq"
    "sha1sum" "sha256sum" "sha512sum" "shred" "shuf" "sleep" "sort" "stat" "stty" "sync" "tac"
    "tail" "tee" "test" "timeout" "touch" "tr" "true" "truncate" "tty" "uname" "unexpand" "uniq"
    "unlink" "wc" "whoami" "yes"
  ];
  findutils = appletPackage "findutils" [ "find" "xargs" ];
  diffutils = appletPackage "diffutils" [ "cmp" "diff" ];
  gnugrep = appletPackage "gnugrep" [ "grep" "egrep" "fgrep" ];
  gnused = appletPackage "gnused" [ "sed" ];
  gawk = appletPackage "gawk" [ "awk" ];
  gnutar = appletPackage "gnutar" [ "tar" ];
  gzip = appletPackage "gzip" [ "gzip" "gunzip" "zcat" ];
  bzip2 = appletPackage "bzip2" [ "bzip2" "bunzip2" "bzcat" ];
  xz = appletPackage "xz" [ "xz" "unxz" "xzcat" "lzma" "unlzma" "lzcat" ];
  patch = appletPackage "patch" [ "patch" ];
  which = appletPackage "which" [ "which" ];
}
