# bash completion for @PROGRAM@ (`@PROGRAM@ completion bash`). It asks `@PROGRAM@ __complete`,
# so modes, clouds and kubeconfig contexts are completed as they are when you press TAB.
_@FUNCTION@() {
    local line=${COMP_LINE:0:COMP_POINT} words=() out directive cur
    # Split on blanks only: COMP_WORDS also splits at '=' and ':', which flag values contain.
    read -ra words <<< "$line"
    [[ $line =~ [[:space:]]$ ]] && words+=("")
    out=$("${words[0]}" __completeNoDesc "${words[@]:1}" 2>/dev/null) || return 0
    directive=${out##*:}
    out=${out%:*}
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    cur=${words[${#words[@]}-1]}
    [[ $cur == -*=* ]] && cur=${cur#*=}
    COMPREPLY=()
    local candidate
    while IFS= read -r candidate; do
        [[ -n $candidate && $candidate == "$cur"* ]] && COMPREPLY+=("$candidate")
    done <<< "$out"
    if (( ${#COMPREPLY[@]} == 0 )); then
        if (( directive & 16 )); then
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        elif (( (directive & 4) == 0 )); then
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
    fi
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    return 0
}
complete -o filenames -F _@FUNCTION@ @PROGRAM@
