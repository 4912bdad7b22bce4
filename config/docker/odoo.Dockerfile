# The official Odoo 19 image plus the Python packages the hotline addons need.
FROM odoo:19
USER root
RUN pip3 install --no-cache-dir --break-system-packages pyst2==0.5.1
USER odoo
