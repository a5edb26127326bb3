# A vendor's JDK installed from an RPM file, then a build that runs on it. rpm keeps no
# copy of a package installed from a file and no package source has it, so a runtime stage
# could not get it: the file is left as it is, with the flag that settles it.
FROM centos:7

RUN yum install -y gcc make wget
RUN wget -q https://downloads.example.com/vendor-runtime-2.1.x86_64.rpm -O /tmp/runtime.rpm \
    && yum localinstall -y /tmp/runtime.rpm

COPY . /src
RUN cd /src && make && make install
CMD ["/usr/local/bin/app"]
