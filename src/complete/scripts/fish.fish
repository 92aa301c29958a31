# fish completion for @PROGRAM@ (`@PROGRAM@ completion fish`). It asks `@PROGRAM@ @REQUEST@`,
# so modes, clouds and kubeconfig contexts are completed as they are when you press TAB.
function __@FUNCTION@_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l out (command $words[1] @REQUEST@ $words[2..-1] $current 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    string match -qr '^[0-9]+$' -- $directive; or set directive 0
    set -e out[-1]
    # `--flag=value`: fish completes the whole token, so the flag goes back in front.
    set -l prefix ''
    string match -qr -- '^-.*=' $current; and set prefix (string replace -r '=.*' '=' -- $current)
    if test (count $out) -gt 0
        for line in $out
            test -n "$line"; and printf '%s%s\n' $prefix $line
        end
    else if test (math "bitand($directive, 16)") -ne 0
        __fish_complete_directories $current
    else if test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path $current
    end
end
complete -c @PROGRAM@ -f -a '(__@FUNCTION@_complete)'
