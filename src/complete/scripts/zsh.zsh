#compdef @PROGRAM@
# zsh completion for @PROGRAM@ (`@PROGRAM@ completion zsh`). It asks `@PROGRAM@ @REQUEST@`,
# so modes, clouds and kubeconfig contexts are completed as they are when you press TAB.
_@FUNCTION@() {
    local out directive line value
    local -a lines values shown
    out=$("${words[1]}" @REQUEST@ "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("${(@f)out}")
    directive=${lines[-1]#:}
    [[ $directive == <-> ]] || directive=0
    lines=("${(@)lines[1,-2]}")
    # `--flag=value`: complete the value, keep the flag.
    [[ ${words[CURRENT]} == -*=* ]] && compset -P '*='
    for line in $lines; do
        [[ -z $line ]] && continue
        value=${line%%$'\t'*}
        values+=("$value")
        if [[ $line == *$'\t'* ]]; then
            shown+=("$value  -- ${line#*$'\t'}")
        else
            shown+=("$value")
        fi
    done
    if (( ${#values} )); then
        local -a suffix
        (( directive & 2 )) && suffix=(-S '')
        compadd -l -d shown "${suffix[@]}" -a values
    elif (( directive & 16 )); then
        _path_files -/
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}
if [[ $funcstack[1] == _@FUNCTION@ ]]; then
    _@FUNCTION@ "$@"
else
    compdef _@FUNCTION@ @PROGRAM@
fi
